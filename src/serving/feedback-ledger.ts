/**
 * Which request ids this server issued, and which labels it has accepted for them, so feedback
 * can be trusted: a label is taken only for a prediction this server made (right model, an index
 * inside its request), and only once. The first label wins; the same label again is a no-op; a
 * different one is a 409. Bounded: the newest `maxRequests` predictions of the last `windowMs`
 * are remembered (oldest forgotten first), so feedback must reach the server that made the
 * prediction, within the window, before it restarts.
 */
import { HttpError } from './http-error.js';

/** A label for one predicted instance, as the feedback route parsed it. */
export interface LedgerItem {
  readonly requestId: string;
  readonly index: number;
  readonly label: number | string;
}

/** Options of {@link FeedbackLedger}. */
export interface FeedbackLedgerOptions {
  /** Predictions remembered at most. Default 200,000. */
  readonly maxRequests?: number;
  /** How long a prediction takes feedback, in ms. Default 24 h. */
  readonly windowMs?: number;
}

/** What the ledger remembers of one prediction. */
interface Issued {
  readonly model: string;
  readonly instances: number;
}

/**
 * The remembered predictions live in a ring of typed arrays, with a map from id to slot: no
 * object per prediction. 200,000 small objects (one Map each at first) weighed on every GC and
 * took the server's p99 at half load from 2 ms to 14 ms.
 */
export class FeedbackLedger {
  private readonly slotOf = new Map<string, number>();
  private readonly ids: (string | undefined)[];
  private readonly models: string[];
  private readonly instances: Uint32Array;
  private readonly issuedAt: Float64Array;
  /** request id → (index → accepted label), only for predictions that got a label. */
  private readonly labels = new Map<string, Map<number, number | string>>();
  private next = 0;
  readonly maxRequests: number;
  readonly windowMs: number;

  constructor(options: FeedbackLedgerOptions = {}, private readonly now: () => number = Date.now) {
    this.maxRequests = options.maxRequests ?? 200_000;
    this.windowMs = options.windowMs ?? 24 * 3_600_000;
    this.ids = new Array<string | undefined>(this.maxRequests);
    this.models = new Array<string>(this.maxRequests);
    this.instances = new Uint32Array(this.maxRequests);
    this.issuedAt = new Float64Array(this.maxRequests);
  }

  /** Records that this server answered `requestId` with `instances` predictions of `model`; the oldest is forgotten when full. */
  issue(requestId: string, model: string, instances: number): void {
    const previous = this.slotOf.get(requestId);
    if (previous !== undefined) this.forget(previous);
    const slot = this.next;
    this.next = (slot + 1) % this.maxRequests;
    if (this.ids[slot] !== undefined) this.forget(slot);
    this.ids[slot] = requestId;
    this.models[slot] = model;
    this.instances[slot] = instances;
    this.issuedAt[slot] = this.now();
    this.slotOf.set(requestId, slot);
  }

  /**
   * Checks every item first (nothing is accepted when one is wrong), then keeps the new labels
   * and returns them; repeats of an accepted label are left out. Throws HttpError 404 (an id
   * this server did not issue for `model`, or forgot), 400 (an index outside the request) or
   * 409 (a label different from the one accepted before).
   */
  accept(model: string, items: readonly LedgerItem[]): LedgerItem[] {
    const fresh = new Map<string, LedgerItem>();
    items.forEach((item, i) => {
      const where = items.length > 1 ? `feedback[${i}]` : 'the feedback';
      const issued = this.lookup(item.requestId);
      if (!issued || issued.model !== model) {
        throw new HttpError(
          404,
          `${where}: request_id "${item.requestId}" is not a prediction of model "${model}" made by this server in the last ${Math.round(this.windowMs / 60_000)} minutes; send the x-request-id of the prediction's reply, to the server that answered it`,
        );
      }
      if (item.index >= issued.instances) {
        throw new HttpError(400, `${where}: "index" ${item.index} is outside the request, which had ${issued.instances} instance(s) (index 0 to ${issued.instances - 1})`);
      }
      const key = `${item.requestId}\0${item.index}`;
      const earlier = this.labels.get(item.requestId)?.get(item.index) ?? fresh.get(key)?.label;
      if (earlier === undefined) fresh.set(key, item);
      else if (earlier !== item.label) {
        throw new HttpError(409, `${where}: instance ${item.index} of request "${item.requestId}" already has the label ${JSON.stringify(earlier)}; the first label is kept`);
      }
    });
    for (const item of fresh.values()) {
      let labels = this.labels.get(item.requestId);
      if (!labels) this.labels.set(item.requestId, (labels = new Map()));
      labels.set(item.index, item.label);
    }
    return [...fresh.values()];
  }

  private lookup(requestId: string): Issued | undefined {
    const slot = this.slotOf.get(requestId);
    if (slot === undefined) return undefined;
    if (this.now() - (this.issuedAt[slot] as number) > this.windowMs) {
      this.forget(slot);
      return undefined;
    }
    return { model: this.models[slot] as string, instances: this.instances[slot] as number };
  }

  private forget(slot: number): void {
    const id = this.ids[slot];
    if (id === undefined) return;
    this.slotOf.delete(id);
    this.labels.delete(id);
    this.ids[slot] = undefined;
  }
}
