/** Errors raised while finding, parsing and validating device profiles. */

/** Stable codes of profile errors (they appear in the JSON report's `errors[].code`). */
export const PROFILE_ERROR_CODES = [
  /** No file for the id or path. */
  'PROFILE_NOT_FOUND',
  /** The file exists but could not be read. */
  'PROFILE_READ_FAILED',
  /** Not a regular file (a directory, FIFO or device such as /dev/zero). */
  'PROFILE_NOT_A_FILE',
  /** Over PROFILE_MAX_BYTES; refused before reading. */
  'PROFILE_TOO_LARGE',
  /** More devices named in one run than MAX_DEVICES. */
  'PROFILE_TOO_MANY',
  /** Not valid YAML/JSON (syntax, duplicate keys, undefined aliases, alias expansion over YAML_MAX_ALIASES). */
  'PROFILE_PARSE',
  /** A value has the wrong type or is out of its allowed set/range. */
  'PROFILE_SCHEMA',
  /** A field the format does not define (typo or unsupported option). */
  'PROFILE_UNKNOWN_FIELD',
  /** A required field is missing. */
  'PROFILE_MISSING_FIELD',
  /** A rule or hardware figure without `source`. */
  'PROFILE_MISSING_SOURCE',
  /** An op name that is not in the ONNX op set of its domain (or not a TFLite builtin). */
  'PROFILE_UNKNOWN_OP',
  /** An opset range with min > max, or beyond the latest known opset. */
  'PROFILE_OPSET_RANGE',
  /** A `source: <id>` or unit id that names nothing. */
  'PROFILE_BAD_REFERENCE',
  /** Two rules for the same op, or two profiles with the same id in one load. */
  'PROFILE_DUPLICATE',
  /** A shipped profile whose `id` differs from its file name. */
  'PROFILE_ID_MISMATCH',
] as const;
export type ProfileErrorCode = (typeof PROFILE_ERROR_CODES)[number];

/** Fields of a {@link ProfileError}. */
export interface ProfileErrorInit {
  readonly code: ProfileErrorCode;
  /** Profile file (absolute path), or the id that was asked for when no file was found. */
  readonly file: string;
  /** Path inside the file, e.g. `rules[3].when.attributes.kernel_shape`; "" for the whole file. */
  readonly fieldPath: string;
  /** What is wrong, without the file/field prefix. */
  readonly detail: string;
  /** 1-based line of the offending value, when known. */
  readonly line?: number;
  readonly cause?: unknown;
}

/**
 * A profile that cannot be used. `message` reads `file:line: fieldPath: detail`, so a user can jump to it.
 */
export class ProfileError extends Error {
  readonly code: ProfileErrorCode;
  readonly file: string;
  readonly fieldPath: string;
  readonly detail: string;
  readonly line: number | undefined;

  constructor(init: ProfileErrorInit) {
    const where = init.line !== undefined ? `${init.file}:${init.line}` : init.file;
    const field = init.fieldPath !== '' ? `${init.fieldPath}: ` : '';
    super(`${where}: ${field}${init.detail} [${init.code}]`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'ProfileError';
    this.code = init.code;
    this.file = init.file;
    this.fieldPath = init.fieldPath;
    this.detail = init.detail;
    this.line = init.line;
  }

  /** The shape of `ReportError` in src/report/types.ts. Its message leaves out the code, which the report
   * carries in `code` and every renderer prints beside it (thrown, `message` keeps it for logs). */
  toReportError(): { code: string; file: string; fieldPath?: string; message: string } {
    const suffix = ` [${this.code}]`;
    return {
      code: this.code,
      file: this.file,
      ...(this.fieldPath !== '' ? { fieldPath: this.fieldPath } : {}),
      message: this.message.endsWith(suffix) ? this.message.slice(0, -suffix.length) : this.message,
    };
  }
}

/**
 * Thrown by `loadProfile` when a profile has several problems: `errors` lists them all, and the message is
 * the first one's.
 */
export class ProfileLoadError extends ProfileError {
  readonly errors: readonly ProfileError[];

  constructor(errors: readonly ProfileError[]) {
    const first = errors[0];
    if (first === undefined) throw new RangeError('ProfileLoadError needs at least one error');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    super({ code: first.code, file: first.file, fieldPath: first.fieldPath, detail: first.detail + more, line: first.line, cause: first });
    this.name = 'ProfileLoadError';
    this.errors = errors;
  }
}
