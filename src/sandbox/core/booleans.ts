/**
 * How each service reads "true" and "false" out of text (a query parameter, a
 * header, a string in a JSON body). The services do not agree, and a client
 * depends on the difference (`?all_tenants=yes` lists every project in Nova but
 * not in Cinder), so each spelling is named after who uses it rather than
 * merged into one. oslo's `bool_from_string` (behind most of these in real
 * OpenStack) also knows `t`/`y`/`f`/`n`; no spelling here takes those yet, and
 * adding them would change what the sandbox answers, so that is left to a
 * change of its own.
 */

export interface BooleanSpelling {
  /** Texts read as true. */
  readonly true: readonly string[];
  /** Texts read as false. */
  readonly false: readonly string[];
  /** Whether the text is lower-cased before it is looked up. */
  readonly caseless: boolean;
  /** What any other text means; undefined when it means nothing (the caller decides: error or default). */
  readonly otherwise: boolean | undefined;
}

/**
 * oslo's `bool_from_string(strict=True)` as Neutron's `convert_to_boolean` uses it
 * for filters and body attributes: only true/false/1/0, anything else is an error.
 */
export const NEUTRON_BOOLEAN: BooleanSpelling = {
  true: ['true', '1'],
  false: ['false', '0'],
  caseless: true,
  otherwise: undefined,
};

/** Nova's query flags (`all_tenants`, `deleted`…): a short list of true words, as typed; anything else is false. */
export const NOVA_QUERY_BOOLEAN: BooleanSpelling = {
  true: ['1', 'true', 'True', 'yes', 'on'],
  false: [],
  caseless: false,
  otherwise: false,
};

/** Cinder's query flags (`all_tenants`, `usage`): only 1/true/True; `yes` is false here. */
export const CINDER_QUERY_BOOLEAN: BooleanSpelling = {
  true: ['1', 'true', 'True'],
  false: [],
  caseless: false,
  otherwise: false,
};

/**
 * A boolean a Nova or Cinder JSON body may also send as a string (`"force": "True"`,
 * `"bootable": "true"`): the two spellings Python clients send; anything else is false.
 */
export const BODY_BOOLEAN: BooleanSpelling = {
  true: ['true', 'True'],
  false: [],
  caseless: false,
  otherwise: false,
};

/**
 * Keystone's `attr_as_boolean` for list filters (`?enabled=`): only the false words
 * are false; any other text, the empty one included, is true.
 */
export const KEYSTONE_BOOLEAN: BooleanSpelling = {
  true: [],
  false: ['false', '0', 'no', 'off'],
  caseless: true,
  otherwise: true,
};

/** Swift's `config_true_value` for headers and query flags (`reverse`, `X-Versions-Enabled`). */
export const SWIFT_BOOLEAN: BooleanSpelling = {
  true: ['true', '1', 'yes', 'on'],
  false: [],
  caseless: true,
  otherwise: false,
};

/**
 * The boolean a value means in a spelling: a JSON boolean is itself; text is
 * looked up; anything else (absent, a number, an object) is undefined.
 */
export function parseBoolean(value: unknown, spelling: BooleanSpelling): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = spelling.caseless ? value.toLowerCase() : value;
  if (spelling.true.includes(text)) return true;
  if (spelling.false.includes(text)) return false;
  return spelling.otherwise;
}

/** Whether a value means true in a spelling (absent and unreadable values are false). */
export function isTrue(value: unknown, spelling: BooleanSpelling): boolean {
  return parseBoolean(value, spelling) === true;
}
