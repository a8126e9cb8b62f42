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

interface Issued {
  readonly model: string;
  readonly instances: number;
  readonly at: number;
  /** index → accepted label. */
  readonly labels: Map<number, number | string>;
}

export class FeedbackLedger {
  private readonly issued = new Map<string, Issued>();
  readonly maxRequests: number;
  readonly windowMs: number;

  constructor(options: FeedbackLedgerOptions = {}, private readonly now: () => number = Date.now) {
    this.maxRequests = options.maxRequests ?? 200_000;
    this.windowMs = options.windowMs ?? 24 * 3_600_000;
  }

  /** Records that this server answered `requestId` with `instances` predictions of `model`. */
  issue(requestId: string, model: string, instances: number): void {
    this.issued.set(requestId, { model, instances, at: this.now(), labels: new Map() });
    while (this.issued.size > this.maxRequests) this.issued.delete(this.issued.keys().next().value as string);
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
      const earlier = issued.labels.get(item.index) ?? fresh.get(key)?.label;
      if (earlier === undefined) fresh.set(key, item);
      else if (earlier !== item.label) {
        throw new HttpError(409, `${where}: instance ${item.index} of request "${item.requestId}" already has the label ${JSON.stringify(earlier)}; the first label is kept`);
      }
    });
    for (const item of fresh.values()) this.issued.get(item.requestId)?.labels.set(item.index, item.label);
    return [...fresh.values()];
  }

  private lookup(requestId: string): Issued | undefined {
    const issued = this.issued.get(requestId);
    if (issued && this.now() - issued.at > this.windowMs) {
      this.issued.delete(requestId);
      return undefined;
    }
    return issued;
  }
}
