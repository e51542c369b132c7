export { exportOnnx, OnnxExportError, permute, type NamedTensor, type OnnxExport, type OnnxExportOptions } from './from-spec.js';
export { ONNX_IR_VERSION, ONNX_OPSET } from './onnx-proto.js';
