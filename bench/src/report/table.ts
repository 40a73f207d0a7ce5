/** A plain-text table: first column left-aligned, the others right-aligned (they hold figures). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 13688 → "13.69" (KB of 1,000 bytes). */
export const kb = (bytes: number): string => (bytes / 1000).toFixed(2);

/** 1234567.8 → "1,234,568". */
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A ratio as "12.3×". */
export const times = (ratio: number): string => `${ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;

/** A fraction as "±1.2%". */
export const spread = (fraction: number): string => `±${(fraction * 100).toFixed(1)}%`;
