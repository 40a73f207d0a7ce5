/**
 * CSV as RFC 4180 writes it, one record per line: fields separated by commas, a field in double
 * quotes may contain commas and doubled quotes (""). A quoted field spanning lines is not supported
 * (log lines are single lines): the line is reported as bad.
 */

/** The fields of one CSV line, or a string saying what is wrong. */
export function splitCsvLine(text: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return 'a quoted field is not closed (a field cannot span lines)';
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (text.charCodeAt(i) !== 44 /* , */) return `unexpected text after a quoted field at column ${i + 1}`;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      if (comma === -1) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** The columns a CSV log may have; `deviceId`, `timestamp` and `type` are required. */
export const CSV_COLUMNS = ['deviceId', 'timestamp', 'type', 'name', 'attributes', 'affectsSession', 'platform', 'userId'] as const;

/** Checks a header line: the column names, or what is wrong. */
export function parseCsvHeader(text: string): string[] | string {
  const names = splitCsvLine(text);
  if (typeof names === 'string') return `the header: ${names}`;
  const trimmed = names.map((n) => n.trim());
  const unknown = trimmed.find((n) => !(CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown !== undefined) return `the header names an unknown column ${JSON.stringify(unknown)} (columns: ${CSV_COLUMNS.join(', ')})`;
  for (const required of ['deviceId', 'timestamp', 'type']) {
    if (!trimmed.includes(required)) return `the header has no ${required} column (it needs deviceId, timestamp and type)`;
  }
  const dup = trimmed.find((n, i) => trimmed.indexOf(n) !== i);
  if (dup !== undefined) return `the header names the column ${dup} twice`;
  return trimmed;
}

/** A row as fields by column name, or what is wrong. */
export function csvRow(header: readonly string[], text: string): Record<string, string> | string {
  const cells = splitCsvLine(text);
  if (typeof cells === 'string') return cells;
  if (cells.length !== header.length) return `expected ${header.length} fields (as the header), got ${cells.length}`;
  const row: Record<string, string> = {};
  for (let i = 0; i < header.length; i++) row[header[i]!] = cells[i]!;
  return row;
}
