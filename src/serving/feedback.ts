/**
 * The body of `POST /v1/models/{name}:feedback`: ground truth for earlier predictions, keyed
 * by the request id the prediction's reply carried (`x-request-id` / `request_id`).
 *
 *   { "request_id": "9f1c…", "label": 17.5 }                       one instance
 *   { "request_id": "9f1c…", "index": 2, "label": "churns" }       instance 2 of a batch
 *   [ { "request_id": …, "label": … }, … ]                          several at once
 *   { "feedback": [ … ] }                                           the same, wrapped
 *
 * Labels must fit the model: a class the model knows for classification; for regression a
 * finite number inside the target's {@link LabelRule.range} (see ./label-range.ts).
 */
import type { Task } from '../spec/schema.js';
import { HttpError } from './http-error.js';
import { describeValue, isPlainObject } from './instances.js';
import { requestIdPattern } from './request-id.js';

export interface FeedbackItem {
  readonly requestId: string;
  /** Position of the instance in its request; 0 for single-instance requests. */
  readonly index: number;
  /** A number for regression, a class label for classification. */
  readonly label: number | string;
}

/** What a label may be, from the model. */
export interface LabelRule {
  readonly task: Task;
  /** Classification: the classes the model knows; any non-empty label when unknown. */
  readonly classes?: readonly string[];
  /** Regression: the accepted range of true values. */
  readonly range: { readonly min: number; readonly max: number };
}

const example = '{"request_id": "<x-request-id of the prediction>", "label": <true value>}';

/** Validates a feedback body for a model; throws HttpError 400/413 naming what to fix. */
export function parseFeedback(body: unknown, labels: LabelRule, maxItems: number): FeedbackItem[] {
  const list = Array.isArray(body) ? body : isPlainObject(body) && Array.isArray(body.feedback) ? body.feedback : [body];
  if (list.length === 0) throw new HttpError(400, `the feedback list is empty: send at least one item like ${example}`);
  if (list.length > maxItems) {
    throw new HttpError(413, `the request has ${list.length} feedback items but at most ${maxItems} are allowed per call: send them in smaller batches`);
  }
  return list.map((item: unknown, i) => parseItem(item, labels, list.length > 1 || Array.isArray(body) ? `feedback[${i}]` : 'the feedback'));
}

function parseItem(item: unknown, rule: LabelRule, where: string): FeedbackItem {
  if (!isPlainObject(item)) throw new HttpError(400, `${where} is ${describeValue(item)}: send an object like ${example}`);
  const { request_id: requestId, index = 0, label } = item;
  if (typeof requestId !== 'string' || !requestIdPattern.test(requestId)) {
    throw new HttpError(400, `${where}: "request_id" must be the request id of a prediction (the x-request-id header or "request_id" field of its reply), got ${describeValue(requestId)}`);
  }
  if (!Number.isSafeInteger(index) || (index as number) < 0) {
    throw new HttpError(400, `${where}: "index" must be the instance's position in its request (0, 1, …), got ${JSON.stringify(index)}`);
  }
  const unknown = Object.keys(item).filter((k) => k !== 'request_id' && k !== 'index' && k !== 'label');
  if (unknown.length > 0) throw new HttpError(400, `${where}: unknown field "${unknown[0]}"; send only "request_id", "label" and optionally "index"`);
  return { requestId, index: index as number, label: parseLabel(label, rule, where) };
}

function parseLabel(label: unknown, rule: LabelRule, where: string): number | string {
  if (rule.task === 'regression') {
    if (typeof label !== 'number' || !Number.isFinite(label)) {
      throw new HttpError(400, `${where}: "label" must be the true value as a number (the model is a regression), got ${describeValue(label)}`);
    }
    const { min, max } = rule.range;
    if (label < min || label > max) throw new HttpError(400, `${where}: "label" ${label} is outside the target's accepted range [${min}, ${max}]; send the true value`);
    return label;
  }
  const text = typeof label === 'string' ? label : typeof label === 'number' || typeof label === 'boolean' ? String(label) : undefined;
  if (text === undefined || text === '') throw new HttpError(400, `${where}: "label" must be the true class (a string) of the instance, got ${describeValue(label)}`);
  if (rule.classes && !rule.classes.includes(text)) {
    const shown = rule.classes.slice(0, 20).map((c) => JSON.stringify(c)).join(', ');
    throw new HttpError(400, `${where}: "label" must be one of the model's classes (${shown}${rule.classes.length > 20 ? ', …' : ''}), got a string of ${text.length} characters that is not one`);
  }
  return text;
}
