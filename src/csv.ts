/**
 * The one minimal RFC 4180 reader, for label files and accuracy files: comma-separated fields,
 * optional double quotes (with `""` for a quote inside), LF or CRLF line ends, an optional UTF-8
 * byte-order mark. Only `csv-stringify` is a dependency, and two-column label and accuracy files do
 * not justify another one.
 */

/** One parsed record and the 1-based line it starts on, for messages. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** Thrown for malformed CSV; `line` is where the bad record starts. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  /**
   * @param line - 1-based line of the record
   * @param reason - what is wrong
   */
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Splits CSV text into records. Blank lines are dropped (a trailing newline is common).
 *
 * @param text - the file's content
 * @param unterminated - reason text for a quote left open (from the caller's messages)
 * @returns records in file order, e.g. `a,"b,c"\n` → [{ line: 1, fields: ['a', 'b,c'] }]
 * @throws CsvSyntaxError for a quote left open at the end of the text
 */
export function parseCsv(text: string, unterminated: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
  }
  if (quoted) throw new CsvSyntaxError(start, unterminated);
  endRecord();
  return records;
}
