/**
 * The Python the exported file carries besides its classes: a container for named statements,
 * the channel shuffle, and the safetensors reader and writer that move weights between the
 * file's model and NAS Studio's training engine (standard library and torch only, so that the
 * file runs wherever PyTorch does).
 *
 * The engine computes in NHWC and stores convolution weights as [kh, kw, in/groups, out] and
 * linear weights as [in, out] (docs/training.md, "Weight names"); PyTorch's are
 * [out, in/groups, kh, kw] and [out, in]. In a `.nas` network every 4-D parameter is a
 * convolution's and every 2-D one a linear layer's, so the rank says which permutation
 * applies. `num_batches_tracked` is int32 in the engine's files, int64 in PyTorch.
 */

export const SCOPE_CLASS = `class Scope(nn.Module):
    """The layers of one named statement of the .nas source (a level of the weight names)."""`;

export const CHANNEL_SHUFFLE = `def channel_shuffle(x, groups):
    """ShuffleNet's channel shuffle (Zhang et al., CVPR 2018): view (g, C/g), transpose, flatten."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)`;

export const SAFETENSORS_HELPERS = `_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
_LAYOUT = "NHWC activations; conv [kh, kw, in/groups, out]; linear [in, out]; PyTorch permutations in model_spec"


def load_nas_safetensors(model, path):
    """Loads a NAS Studio checkpoint (nas train --save, or save_nas_safetensors) into model.

    Every tensor of model.state_dict() must be in the file with its shape, and nothing else:
    convolution weights [kh, kw, in/groups, out] become [out, in/groups, kh, kw], linear
    weights [in, out] become [out, in]. Returns the file's metadata.
    """
    with open(path, "rb") as f:
        buf = bytearray(f.read())
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    state = model.state_dict()
    missing, extra = sorted(set(state) - set(header)), sorted(set(header) - set(state))
    if missing or extra:
        raise ValueError("%s does not match the model: missing %s, unexpected %s" % (path, missing[:5], extra[:5]))
    loaded = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        count = 1
        for d in info["shape"]:
            count *= d
        t = torch.frombuffer(buf, dtype=dtype, count=count, offset=8 + n + begin) if end > begin else torch.zeros(0, dtype=dtype)
        t = t.reshape(info["shape"])
        if t.dim() == 4:
            t = t.permute(3, 2, 0, 1)
        elif t.dim() == 2:
            t = t.t()
        if tuple(t.shape) != tuple(state[name].shape):
            raise ValueError("%s: %s has shape %s in the file, %s in the model" % (path, name, list(t.shape), list(state[name].shape)))
        loaded[name] = t.to(state[name].dtype)
    model.load_state_dict(loaded)
    return metadata


def _tensor_bytes(t):
    try:
        return t.numpy().tobytes()
    except (ImportError, RuntimeError):
        import array
        return array.array("f" if t.is_floating_point() else "i", t.flatten().tolist()).tobytes()


def save_nas_safetensors(model, path, metadata=None):
    """Writes model's weights as NAS Studio's training engine reads them (nas train --load).

    The inverse of load_nas_safetensors: float32 in the engine's layouts, num_batches_tracked
    as int32. Written to a temporary file and renamed, so an interrupted save leaves no half file.
    """
    header, blobs, offset = {}, [], 0
    for name, t in model.state_dict().items():
        t = t.detach().cpu()
        if t.dim() == 4:
            t = t.permute(2, 3, 1, 0)
        elif t.dim() == 2:
            t = t.t()
        t = t.float().contiguous() if t.is_floating_point() else t.int().contiguous()
        blob = _tensor_bytes(t)
        header[name] = {"dtype": "F32" if t.is_floating_point() else "I32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    meta = {"format": "nas-studio", "model": type(model).__name__, "layout": _LAYOUT}
    meta.update({k: str(v) for k, v in (metadata or {}).items()})
    header["__metadata__"] = meta
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)`;
