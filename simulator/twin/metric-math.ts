/**
 * The part of CloudWatch metric math that guards use, evaluated for one period at a time: arithmetic, comparisons,
 * AND/OR, IF(cond, a, b), FILL(x, v), MIN/MAX/ABS. A missing value (undefined) propagates like CloudWatch's gaps.
 */
type Value = number | undefined;
type Node =
  | { kind: 'num'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const TOKEN = /\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|&&|\|\||[-+*/(),<>!])/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m) throw new Error(`metric math: cannot read "${expression.slice(at)}" in "${expression}"`);
    tokens.push(m[1]);
  }
  return tokens;
}

const PRECEDENCE: Record<string, number> = { OR: 1, '||': 1, AND: 2, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6 };

export function parseMetricMath(expression: string): Node {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (expected && t !== expected) throw new Error(`metric math: expected "${expected}" but found "${t ?? 'end'}" in "${expression}"`);
    return t;
  };
  const primary = (): Node => {
    const t = take();
    if (t === undefined) throw new Error(`metric math: unexpected end of "${expression}"`);
    if (t === '(') { const e = binary(0); take(')'); return e; }
    if (t === '-' || t === '!' || t === 'NOT') return { kind: 'unary', op: t, arg: primary() };
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) };
    if (peek() === '(') {
      take('(');
      const args: Node[] = [];
      if (peek() !== ')') { do { args.push(binary(0)); } while (peek() === ',' && take(',')); }
      take(')');
      return { kind: 'call', name: t.toUpperCase(), args };
    }
    return { kind: 'id', name: t };
  };
  const binary = (min: number): Node => {
    let left = primary();
    for (;;) {
      const op = peek();
      const p = op !== undefined ? PRECEDENCE[op.toUpperCase()] : undefined;
      if (p === undefined || p < min) break;
      take();
      left = { kind: 'binary', op: op!.toUpperCase(), left, right: binary(p + 1) };
    }
    return left;
  };
  const node = binary(0);
  if (i < tokens.length) throw new Error(`metric math: unexpected "${tokens[i]}" in "${expression}"`);
  return node;
}

export function evaluateMetricMath(node: Node, values: Record<string, Value>): Value {
  switch (node.kind) {
    case 'num': return node.value;
    case 'id': {
      if (!(node.name in values)) throw new Error(`metric math: unknown id "${node.name}"`);
      return values[node.name];
    }
    case 'unary': {
      const v = evaluateMetricMath(node.arg, values);
      if (v === undefined) return undefined;
      return node.op === '-' ? -v : v === 0 ? 1 : 0;
    }
    case 'binary': {
      const a = evaluateMetricMath(node.left, values);
      const b = evaluateMetricMath(node.right, values);
      if (a === undefined || b === undefined) return undefined;
      switch (node.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return b === 0 ? undefined : a / b;
        case '>': return a > b ? 1 : 0;
        case '<': return a < b ? 1 : 0;
        case '>=': return a >= b ? 1 : 0;
        case '<=': return a <= b ? 1 : 0;
        case '==': return a === b ? 1 : 0;
        case '!=': return a !== b ? 1 : 0;
        case 'AND': case '&&': return a !== 0 && b !== 0 ? 1 : 0;
        case 'OR': case '||': return a !== 0 || b !== 0 ? 1 : 0;
      }
      throw new Error(`metric math: unsupported operator ${node.op}`);
    }
    case 'call': {
      const args = node.args.map((a) => evaluateMetricMath(a, values));
      switch (node.name) {
        case 'IF': {
          if (args[0] === undefined) return undefined;
          return args[0] !== 0 ? args[1] : args.length > 2 ? args[2] : undefined;
        }
        case 'FILL': return args[0] ?? args[1];
        case 'ABS': return args[0] === undefined ? undefined : Math.abs(args[0]);
        case 'MAX': { const d = args.filter((x): x is number => x !== undefined); return d.length ? Math.max(...d) : undefined; }
        case 'MIN': { const d = args.filter((x): x is number => x !== undefined); return d.length ? Math.min(...d) : undefined; }
      }
      throw new Error(`metric math: the twin does not implement ${node.name}()`);
    }
  }
}
