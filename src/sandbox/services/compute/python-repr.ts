/**
 * Python's repr() of a decoded JSON value. Nova and Cinder quote the offending
 * request value this way in their schema-validation messages
 * ("Invalid input for field/attribute server. Value: {'name': 'x'}. ...").
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(new RegExp(quote, 'g'), `\\${quote}`);
    return `${quote}${escaped}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`,
    );
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}
