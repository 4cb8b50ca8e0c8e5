// CSV files of numbers: optional header row, one record per line, named errors for ragged or non-numeric cells.
import { ArgumentError, FileFormatError } from '../../core/errors.js';
import { readMaybeGzip } from '../../io/files.js';

/** Options of readCsv and parseCsv. */
export interface CsvOptions {
  /** Whether the first line is a header: true, false, or 'auto' (default: a first line with a non-number cell). */
  header?: boolean | 'auto';
  /** Field separator (default ','). */
  delimiter?: string;
}

/** A table of numbers: column names (or null), its shape, and the values row-major. */
export interface CsvTable {
  /** Column names from the header row, or null when the file has none. */
  columns: string[] | null;
  /** Number of data rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** The values, [rows, cols] row-major. */
  data: Float64Array;
}

function isNumberCell(s: string): boolean {
  if (s.trim() !== '' && Number.isFinite(Number(s))) return true;
  return /^\s*[-+]?(nan|inf|infinity)\s*$/i.test(s);
}

function toNumber(s: string): number {
  const t = s.trim();
  if (/^[-+]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[-+]?nan$/i.test(t)) return NaN;
  return t === '' ? NaN : Number(t);
}

/**
 * Parses CSV text whose cells are all numbers (NaN, inf accepted). Blank lines are skipped; quoting is
 * not supported. `source` names the file in errors.
 * @example const t = gl.data.parseCsv('x,y\n1,2\n3,4\n');  // columns ['x','y'], rows 2, cols 2
 */
export function parseCsv(text: string, opts: CsvOptions = {}, source = '<text>'): CsvTable {
  const delim = opts.delimiter ?? ',';
  if (delim.length === 0) throw new ArgumentError('parseCsv: delimiter must be a non-empty string');
  const lines = text.split(/\r?\n/);
  let first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new FileFormatError(`CSV ${source}: no data (the file is empty)`);
  const firstCells = lines[first].split(delim);
  const header = opts.header ?? 'auto';
  const hasHeader = header === 'auto' ? !firstCells.every(isNumberCell) : header;
  let columns: string[] | null = null;
  if (hasHeader) {
    columns = firstCells.map((c) => c.trim());
    first++;
  }
  const cols = columns ? columns.length : firstCells.length;
  const values: number[] = [];
  let rows = 0;
  for (let li = first; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const cells = line.split(delim);
    if (cells.length !== cols)
      throw new FileFormatError(`CSV ${source}: line ${li + 1} has ${cells.length} fields, expected ${cols}`);
    for (let c = 0; c < cols; c++) {
      if (!isNumberCell(cells[c]))
        throw new FileFormatError(
          `CSV ${source}: line ${li + 1}, column ${c + 1}: ${JSON.stringify(cells[c])} is not a number`,
        );
      values.push(toNumber(cells[c]));
    }
    rows++;
  }
  return { columns, rows, cols, data: Float64Array.from(values) };
}

/**
 * Reads a CSV file of numbers (raw or gzip).
 * @example
 * // doc-test: no-run: needs a CSV file
 * const table = gl.data.readCsv('points.csv', { header: true });
 */
export function readCsv(file: string, opts: CsvOptions = {}): CsvTable {
  const bytes = readMaybeGzip(file, 'readCsv');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileFormatError(`CSV ${file}: not UTF-8 text`);
  }
  return parseCsv(text, opts, file);
}
