/**
 * MessagePort pairs between the emulated main thread (an AudioWorkletNode's `port`) and the emulated audio thread
 * (its processor's `port`), without worker_threads.
 *
 * Browser semantics kept:
 * - `postMessage(data, transfer?)` structured-clones at once (DataCloneError is thrown to the sender; transferred
 *   ArrayBuffers are detached) into the receiving side's realm, and queues it on the receiving port.
 * - Delivery is asynchronous: one macrotask (`setImmediate`) per message, so promise continuations run between
 *   two messages, as between two tasks in a browser.
 * - A port delivers only once started: setting `onmessage` starts it, `addEventListener('message')` does not (call
 *   `start()`), so the classic forgotten-start() bug shows up here too. Messages wait in the queue until then.
 * - `close()` disentangles the pair: the closing port drops its queue and receives nothing more, posts in either
 *   direction are dropped from then on, but messages already queued on the other side are still delivered (so
 *   WamNode.destroy(), which posts {destroy:true} and then closes, reaches the processor).
 *
 * Different from a browser: an exception thrown by a message listener (or a rejected promise it returns) is not
 * "reported to the console"; it is recorded through `Hub.report` (the host's `errors`) and delivery continues.
 * The `MessageEvent` is Node's (host realm) even on the processor side; its `data` is from the receiving realm.
 */

type Listener = ((ev: MessageEvent) => unknown) | { handleEvent(ev: MessageEvent): unknown };

/** Book-keeping shared by all ports of one host: counts scheduled deliveries so `flush()` knows when it is quiet. */
export class Hub {
  pending = 0;
  delivered = 0;
  readonly ports = new Set<EmulatedMessagePort>();
  constructor(readonly report: (error: unknown, where: string, port?: EmulatedMessagePort) => void) {}
}

export class EmulatedMessagePort extends EventTarget {
  #hub: Hub;
  #other: EmulatedMessagePort | null = null;
  #queue: unknown[] = [];
  #started = false;
  #closed = false;
  #onmessage: ((ev: MessageEvent) => unknown) | null = null;
  #onmessageerror: ((ev: MessageEvent) => unknown) | null = null;
  #listeners: Array<{ listener: Listener; once: boolean }> = [];
  /** Clones a message into the realm of THIS port (the receiving side). */
  #cloneIn: (value: unknown, transfer?: Transferable[]) => unknown;
  /** Which side this is, for error reports: e.g. 'node com.x.y#1' or 'processor com.x.y#1'. */
  label: string;

  constructor(hub: Hub, cloneIn: (value: unknown, transfer?: Transferable[]) => unknown, label: string) {
    super();
    this.#hub = hub;
    this.#cloneIn = cloneIn;
    this.label = label;
    hub.ports.add(this);
  }

  /** Creates an entangled pair; `cloneIntoA` / `cloneIntoB` build messages in the realm of port a / b. */
  static pair(hub: Hub, cloneIntoA: (v: unknown, t?: Transferable[]) => unknown, labelA: string,
    cloneIntoB: (v: unknown, t?: Transferable[]) => unknown, labelB: string): [EmulatedMessagePort, EmulatedMessagePort] {
    const a = new EmulatedMessagePort(hub, cloneIntoA, labelA);
    const b = new EmulatedMessagePort(hub, cloneIntoB, labelB);
    a.#other = b;
    b.#other = a;
    return [a, b];
  }

  get onmessage(): ((ev: MessageEvent) => unknown) | null {
    return this.#onmessage;
  }

  set onmessage(handler: ((ev: MessageEvent) => unknown) | null) {
    this.#onmessage = typeof handler === 'function' ? handler : null;
    this.start();
  }

  get onmessageerror(): ((ev: MessageEvent) => unknown) | null {
    return this.#onmessageerror;
  }

  set onmessageerror(handler: ((ev: MessageEvent) => unknown) | null) {
    this.#onmessageerror = typeof handler === 'function' ? handler : null;
  }

  postMessage(message: unknown, transferOrOptions?: Transferable[] | StructuredSerializeOptions): void {
    const transfer = Array.isArray(transferOrOptions) ? transferOrOptions : transferOrOptions?.transfer;
    const target = this.#other;
    // Serialize first (DataCloneError reaches the sender even when the pair is no longer entangled).
    const data = (target ?? this).#cloneIn(message, transfer);
    if (this.#closed || target === null) return;
    target.#enqueue(data);
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    for (let i = 0; i < this.#queue.length; i++) this.#schedule();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    const other = this.#other;
    this.#other = null;
    if (other) other.#other = null;
  }

  /** True after close(). (Not in the DOM API; for tests.) */
  get closed(): boolean {
    return this.#closed;
  }

  /** Messages queued on this port and not yet delivered (e.g. because it was never started). */
  get queued(): number {
    return this.#queue.length;
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void {
    if (type !== 'message') return super.addEventListener(type, listener, options);
    if (!listener || this.#listeners.some((l) => l.listener === listener)) return;
    const once = typeof options === 'object' && options !== null && !!options.once;
    this.#listeners.push({ listener: listener as unknown as Listener, once });
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void {
    if (type !== 'message') return super.removeEventListener(type, listener, options);
    const i = this.#listeners.findIndex((l) => l.listener === listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  #enqueue(data: unknown): void {
    if (this.#closed) return;
    this.#queue.push(data);
    if (this.#started) this.#schedule();
  }

  #schedule(): void {
    const hub = this.#hub;
    hub.pending++;
    setImmediate(() => {
      hub.pending--;
      this.#deliverOne();
    });
  }

  #deliverOne(): void {
    if (this.#closed || this.#queue.length === 0) return;
    const data = this.#queue.shift();
    this.#hub.delivered++;
    const ev = new MessageEvent('message', { data });
    if (this.#onmessage) this.#invoke(this.#onmessage, ev);
    for (const entry of this.#listeners.slice()) {
      if (entry.once) this.#listeners.splice(this.#listeners.indexOf(entry), 1);
      this.#invoke(entry.listener, ev);
    }
  }

  #invoke(listener: Listener, ev: MessageEvent): void {
    try {
      const r = typeof listener === 'function' ? listener.call(this, ev) : listener.handleEvent(ev);
      if (r && typeof (r as PromiseLike<unknown>).then === 'function') {
        (r as PromiseLike<unknown>).then(undefined, (e) => this.#hub.report(e, `message handler of ${this.label}`, this));
      }
    } catch (e) {
      this.#hub.report(e, `message handler of ${this.label}`, this);
    }
  }
}
