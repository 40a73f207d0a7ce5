/**
 * A package's diagnostic texts (warnings, setup errors) by code number: each takes the values its
 * message names, already described (see `describe`), and returns the full sentence.
 */
export type MessageTexts = Readonly<Record<number, (...values: never[]) => string>>;

/** Formats one diagnostic of a package: its code and the values it names. */
export type MessageOf<T extends MessageTexts> = <K extends keyof T & number>(code: K, ...values: Parameters<T[K]>) => string;

/** Where production messages point: the page that lists every code with its full text. */
export const MESSAGES_DOC = 'https://github.com/sessionhub/sessionhub/blob/main/docs/messages.md';

/**
 * The production form of a diagnostic: `SH012 (a string of 300 characters) <docs link>#sh012`. Values
 * are joined with `; `.
 */
export function shortMessage(code: number, values: readonly unknown[]): string {
  const id = `SH${String(code).padStart(3, '0')}`;
  return `${id}${values.length ? ` (${values.join('; ')})` : ''} ${MESSAGES_DOC}#${id.toLowerCase()}`;
}

/**
 * The formatter of a package's diagnostics. Development builds pass `texts` and print each message in
 * full; production builds pass undefined, so bundlers drop the texts, and a message is its code, the
 * values it names and a link to its text in docs/messages.md (as React's error codes). Each package
 * calls it as
 *
 * ```ts
 * const message = messageFormat((() => {
 *   try {
 *     return process.env.NODE_ENV !== 'production' ? TEXTS : undefined;
 *   } catch {
 *     // no `process`: undefined
 *   }
 * })());
 * ```
 *
 * written out in each package, so a bundler that defines `process.env.NODE_ENV` (as a web app's
 * development or production build does, with no `process` in the page) folds the condition and, in
 * production, drops `TEXTS`; a runtime without `process` and without such a bundler (a page loading
 * the package as is, bare Hermes) gets the production form instead of a ReferenceError.
 *
 * @typeParam T - the package's table of texts (its codes and the values each names).
 */
export function messageFormat<T extends MessageTexts>(texts: T | undefined): MessageOf<T> {
  return (code, ...values) => (texts ? (texts[code] as (...v: unknown[]) => string)(...values) : shortMessage(code, values));
}
