/**
 * The manifest reference, rendered from the JSON Schema so it cannot drift:
 * one table per object definition, in the order a reader meets them.
 */
type SchemaNode = Record<string, unknown>;

function refName(ref: string): string {
  return ref.replace(/^#\/\$defs\//, '');
}

function anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

function typeOf(node: SchemaNode | undefined, root: SchemaNode): string {
  if (node === undefined) return 'any';
  if (typeof node.$ref === 'string') {
    const name = refName(node.$ref);
    const target = (root.$defs as Record<string, SchemaNode>)[name];
    if (target !== undefined && isObjectDef(target)) return `[${name}](#${anchor(name)})`;
    return typeOf(target, root);
  }
  if ('const' in node) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) {
    const values = node.enum as unknown[];
    return values.length > 8
      ? `one of ${values.length} codes`
      : values.map((v) => `\`${JSON.stringify(v)}\``).join(' | ');
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[key])) return (node[key] as SchemaNode[]).map((b) => typeOf(b, root)).join(' or ');
  }
  const type = node.type;
  if (type === 'array') return `list of ${typeOf(node.items as SchemaNode | undefined, root)}`;
  if (type === 'object') {
    if (isObjectDef(node)) return 'mapping';
    const values = node.additionalProperties;
    return values !== undefined && typeof values === 'object'
      ? `map of name → ${typeOf(values as SchemaNode, root)}`
      : 'mapping';
  }
  if (Array.isArray(type)) return (type as string[]).join(' or ');
  if (typeof type === 'string') return node.format === undefined ? type : `${type} (${String(node.format)})`;
  return 'any';
}

function isObjectDef(node: SchemaNode): boolean {
  return node.type === 'object' && node.properties !== undefined;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown reference of every object in the schema, starting at the root. */
export function renderSchemaReference(root: SchemaNode): string {
  const defs = (root.$defs as Record<string, SchemaNode> | undefined) ?? {};
  const order: [string, SchemaNode][] = [['CityManifest', root]];
  const seen = new Set<string>(['CityManifest']);
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as SchemaNode;
    if (typeof n.$ref === 'string') {
      const name = refName(n.$ref);
      const target = defs[name];
      if (target !== undefined && !seen.has(name)) {
        seen.add(name);
        if (isObjectDef(target)) order.push([name, target]);
        visit(target);
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== '$defs') visit(v);
  };
  for (let i = 0; i < order.length; i++) visit(order[i]![1]);

  const out: string[] = [];
  for (const [name, node] of order) {
    out.push(`### ${name}`, '');
    if (typeof node.description === 'string') out.push(node.description, '');
    const required = new Set((node.required as string[] | undefined) ?? []);
    out.push('| key | type | required | default | description |', '|---|---|---|---|---|');
    const rows = (properties: Record<string, SchemaNode>, requiredKeys: Set<string>, prefix: string): void => {
      for (const [key, prop] of Object.entries(properties)) {
        const target = typeof prop.$ref === 'string' ? defs[refName(prop.$ref)] : undefined;
        const description = (prop.description ?? target?.description ?? '') as string;
        const def = prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``;
        out.push(
          `| \`${prefix}${key}\` | ${cell(typeOf(prop, root))} | ${requiredKeys.has(key) ? 'yes' : ''} | ${cell(def)} | ${cell(description)} |`,
        );
        // Inline objects (no definition of their own) are listed in place, with dotted keys.
        const inline = prop.type === 'array' ? (prop.items as SchemaNode | undefined) : prop;
        if (inline !== undefined && inline.$ref === undefined && isObjectDef(inline)) {
          rows(
            inline.properties as Record<string, SchemaNode>,
            new Set((inline.required as string[] | undefined) ?? []),
            `${prefix}${key}${prop.type === 'array' ? '[]' : ''}.`,
          );
        }
      }
    };
    rows((node.properties as Record<string, SchemaNode>) ?? {}, required, '');
    out.push('');
  }
  return out.join('\n');
}
