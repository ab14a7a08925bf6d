/**
 * Structured clone that delivers into a chosen realm.
 *
 * `postMessage` in a browser structured-clones the message and deserializes it in the receiving realm, so a
 * processor sees its own realm's `Object`, `Array`, `Float32Array`... Node's `structuredClone` always builds the
 * copy in the host realm. Here the host `structuredClone` runs first (so what can be cloned, what throws
 * `DataCloneError`, getters, prototypes dropped, cycles, transfer/detach of ArrayBuffers are exactly V8's), and
 * the result, which is made only of plain data, is then rebuilt with the target realm's constructors.
 *
 * Kept by reference (not rebuilt): SharedArrayBuffer (its memory must stay shared; the object is then from the
 * host realm) and WebAssembly.Module (V8 accepts a module of any realm in `WebAssembly.Instance`/`instantiate`,
 * but `instanceof WebAssembly.Module` is false in the worklet realm). Anything else unknown is passed as is.
 */

/** The constructors of one realm that a clone is built from. */
export interface RealmIntrinsics {
  Object: ObjectConstructor;
  Array: ArrayConstructor;
  Map: MapConstructor;
  Set: SetConstructor;
  Date: DateConstructor;
  RegExp: RegExpConstructor;
  ArrayBuffer: ArrayBufferConstructor;
  DataView: DataViewConstructor;
  Error: ErrorConstructor;
  [name: string]: any;
}

const TYPED_ARRAY_NAMES = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];
const ERROR_NAMES = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];

/** The names `intrinsicsOf` collects; evaluate `({Object, Array, ...})` in a realm to get them. */
export const INTRINSIC_NAMES = [
  'Object', 'Array', 'Map', 'Set', 'Date', 'RegExp', 'ArrayBuffer', 'DataView', 'Boolean', 'Number', 'String',
  ...TYPED_ARRAY_NAMES, ...ERROR_NAMES,
];

const toTag = (v: object): string => Object.prototype.toString.call(v);

/** Returns `clone(value, transfer?)` that structured-clones into the realm owning `target`. */
export function makeCloner(target: RealmIntrinsics | null): (value: unknown, transfer?: Transferable[]) => unknown {
  if (target === null) {
    return (value, transfer) => structuredClone(value, transfer && transfer.length ? { transfer } : undefined);
  }
  const R = target;
  const rebuild = (v: unknown, seen: Map<object, unknown>): unknown => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    const src = v as object;
    const known = seen.get(src);
    if (known !== undefined) return known;
    if (Array.isArray(src)) {
      const out = new R.Array(src.length);
      seen.set(src, out);
      for (const k of Object.keys(src)) define(out, k, rebuild((src as any)[k], seen));
      return out;
    }
    if (ArrayBuffer.isView(src)) {
      const view = src as ArrayBufferView & { length?: number };
      const buffer = rebuild(view.buffer, seen) as ArrayBuffer;
      if (buffer === view.buffer) return src; // shared memory: keep the host view
      const Ctor = src instanceof DataView ? R.DataView : R[src.constructor.name];
      const out = src instanceof DataView
        ? new Ctor(buffer, view.byteOffset, view.byteLength)
        : new Ctor(buffer, view.byteOffset, view.length);
      seen.set(src, out);
      return out;
    }
    switch (toTag(src)) {
      case '[object Object]': {
        const out = new R.Object();
        seen.set(src, out);
        for (const k of Object.keys(src)) define(out, k, rebuild((src as any)[k], seen));
        return out;
      }
      case '[object ArrayBuffer]': {
        const ab = src as ArrayBuffer;
        const out = new R.ArrayBuffer(ab.byteLength);
        new R.Uint8Array(out).set(new Uint8Array(ab));
        seen.set(src, out);
        return out;
      }
      case '[object Map]': {
        const out = new R.Map();
        seen.set(src, out);
        for (const [k, val] of src as Map<unknown, unknown>) out.set(rebuild(k, seen), rebuild(val, seen));
        return out;
      }
      case '[object Set]': {
        const out = new R.Set();
        seen.set(src, out);
        for (const val of src as Set<unknown>) out.add(rebuild(val, seen));
        return out;
      }
      case '[object Date]': {
        const out = new R.Date((src as Date).getTime());
        seen.set(src, out);
        return out;
      }
      case '[object RegExp]': {
        const out = new R.RegExp((src as RegExp).source, (src as RegExp).flags);
        seen.set(src, out);
        return out;
      }
      case '[object Boolean]':
      case '[object Number]':
      case '[object String]': {
        const out = R.Object((src as any).valueOf());
        seen.set(src, out);
        return out;
      }
      case '[object Error]': {
        const e = src as Error;
        const Ctor = ERROR_NAMES.includes(e.name) ? R[e.name] : R.Error;
        const out = new Ctor(e.message);
        seen.set(src, out);
        if ('stack' in e) Object.defineProperty(out, 'stack', { value: e.stack, writable: true, configurable: true });
        if ('cause' in e) Object.defineProperty(out, 'cause', { value: rebuild(e.cause, seen), writable: true, configurable: true });
        return out;
      }
      default:
        return src; // SharedArrayBuffer, WebAssembly.Module, BigInt objects, anything V8 clones natively
    }
  };
  return (value, transfer) => {
    const hostCopy = structuredClone(value, transfer && transfer.length ? { transfer } : undefined);
    return rebuild(hostCopy, new Map());
  };
}

function define(target: any, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
