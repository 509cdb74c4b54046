/** Locale-independent string order (localeCompare depends on the ICU data of the Node.js build). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
