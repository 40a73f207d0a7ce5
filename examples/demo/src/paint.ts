/** Terminal colours, only where the terminal supports them (and never with NO_COLOR). */
export interface Paint {
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const COLOURS: Paint = {
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
  dim: ansi(2, 22),
  bold: ansi(1, 22),
};

const plain = (text: string): string => text;
export const NO_COLOURS: Paint = { red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };

/** Colours for `stream` when it is a terminal that has them (`hasColors` honours NO_COLOR and FORCE_COLOR). */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0';
  return (stream.isTTY && stream.hasColors?.()) || forced ? COLOURS : NO_COLOURS;
}
