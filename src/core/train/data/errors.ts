/**
 * Typed errors for dataset problems. Every loader validates its files when it opens them
 * (sizes, headers, label ranges, image sizes, decodability), so bad data is reported before
 * the first training step, with the file and, where it applies, the record and byte offset.
 */

export type DatasetErrorCode =
  | 'missing' // a file or folder that the format needs is absent
  | 'truncated' // a file is shorter than its header or record size says
  | 'bad-header' // wrong magic number / inconsistent header fields
  | 'label-range' // a label outside [0, classes)
  | 'size-mismatch' // images of different sizes, or counts that disagree between files
  | 'unreadable-image' // an image file that the PNG/JPEG decoder rejects
  | 'empty' // no records / no images / no classes
  | 'bad-spec'; // a `--data KIND:DIR` string that names no known kind

export interface DatasetErrorDetails {
  file?: string;
  /** Zero-based record (image) index inside `file`. */
  record?: number;
  /** Byte offset inside `file` (the decompressed stream for gzip files). */
  offset?: number;
  cause?: unknown;
}

export class DatasetError extends Error {
  readonly code: DatasetErrorCode;
  readonly file: string | undefined;
  readonly record: number | undefined;
  readonly offset: number | undefined;

  constructor(code: DatasetErrorCode, message: string, details: DatasetErrorDetails = {}) {
    const where: string[] = [];
    if (details.file !== undefined) where.push(details.file);
    if (details.record !== undefined) where.push(`record ${details.record}`);
    if (details.offset !== undefined) where.push(`byte offset ${details.offset}`);
    super(where.length > 0 ? `${where.join(', ')}: ${message}` : message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'DatasetError';
    this.code = code;
    this.file = details.file;
    this.record = details.record;
    this.offset = details.offset;
  }
}
