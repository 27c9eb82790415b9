// What JSON.parse forgets about a JSON text but a Go decoder judges by: the literal form of
// numbers (`2.0` and `1e2` are not integers to Go, and a float64 cannot tell 2^63 from 2^63-1) and
// keys given twice in one object (an error under strict field validation upstream).

/** One path through a parsed document: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

export interface JsonTextFacts {
  /** Number literals that are not plain integers of at most 15 digits, by JSON pointer. */
  readonly numberLiterals: ReadonlyMap<string, string>;
  /** Keys repeated within one object, as dotted paths (`metadata.name`), in text order. */
  readonly duplicateFields: readonly string[];
}

const facts = new WeakMap<object, JsonTextFacts>();

/** JSON pointer of a path (RFC 6901), the key number literals are found under. */
export function jsonPointer(path: JsonPath): string {
  let out = '';
  for (const seg of path) out += '/' + (typeof seg === 'number' ? String(seg) : seg.replace(/~/g, '~0').replace(/\//g, '~1'));
  return out;
}

/** Dotted form of a path as upstream prints field paths: `spec.containers[0].name`. */
export function dottedPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** JSON.parse, remembering the facts above for the returned object (when it is one). */
export function parseJsonText(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  if (typeof value === 'object' && value !== null) {
    const found = scanJsonText(text);
    if (found.numberLiterals.size > 0 || found.duplicateFields.length > 0) facts.set(value, found);
  }
  return value;
}

/** The facts recorded for a document parseJsonText returned; undefined when there are none. */
export function jsonTextFactsOf(root: unknown): JsonTextFacts | undefined {
  return typeof root === 'object' && root !== null ? facts.get(root) : undefined;
}

interface Frame {
  readonly isObject: boolean;
  readonly path: (string | number)[];
  readonly keys: Set<string> | undefined;
  index: number;
  key: string | undefined;
  expectKey: boolean;
}

const PLAIN_INTEGER = /^-?\d{1,15}$/;

/** Walks a text JSON.parse accepted (so it is well formed) and collects the facts. One pass, no values built. */
export function scanJsonText(text: string): JsonTextFacts {
  const numberLiterals = new Map<string, string>();
  const duplicateFields: string[] = [];
  const stack: Frame[] = [];
  const valuePath = (): (string | number)[] => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    return [...top.path, top.isObject ? (top.key ?? '') : top.index];
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x7b /* { */:
      case 0x5b /* [ */: {
        const isObject = c === 0x7b;
        stack.push({ isObject, path: valuePath(), keys: isObject ? new Set() : undefined, index: 0, key: undefined, expectKey: isObject });
        i++;
        break;
      }
      case 0x7d /* } */:
      case 0x5d /* ] */:
        stack.pop();
        i++;
        break;
      case 0x2c /* , */: {
        const top = stack[stack.length - 1];
        if (top?.isObject) top.expectKey = true;
        else if (top) top.index++;
        i++;
        break;
      }
      case 0x22 /* " */: {
        let j = i + 1;
        let escaped = false;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 0x5c) {
            escaped = true;
            j += 2;
            continue;
          }
          if (d === 0x22) break;
          j++;
        }
        const top = stack[stack.length - 1];
        if (top?.isObject && top.expectKey) {
          const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
          if (top.keys!.has(key)) duplicateFields.push(dottedPath([...top.path, key]));
          else top.keys!.add(key);
          top.key = key;
          top.expectKey = false;
        }
        i = j + 1;
        break;
      }
      default: {
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          let j = i + 1;
          while (j < n) {
            const d = text.charCodeAt(j);
            if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) j++;
            else break;
          }
          const literal = text.slice(i, j);
          if (!PLAIN_INTEGER.test(literal)) numberLiterals.set(jsonPointer(valuePath()), literal);
          i = j;
        } else i++;
      }
    }
  }
  return { numberLiterals, duplicateFields };
}
