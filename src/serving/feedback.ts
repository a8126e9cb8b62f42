/**
 * The body of `POST /v1/models/{name}:feedback`: ground truth for earlier predictions, keyed
 * by the request id the prediction's reply carried (`x-request-id` / `request_id`).
 *
 *   { "request_id": "9f1c…", "label": 17.5 }                       one instance
 *   { "request_id": "9f1c…", "index": 2, "label": "churns" }       instance 2 of a batch
 *   [ { "request_id": …, "label": … }, … ]                          several at once
 *   { "feedback": [ … ] }                                           the same, wrapped
 */
import type { Task } from '../spec/schema.js';
import { HttpError } from './http-error.js';
import { checkBatchSize, describeValue, isPlainObject } from './instances.js';
import { requestIdPattern } from './request-id.js';

export interface FeedbackItem {
  readonly requestId: string;
  /** Position of the instance in its request; 0 for single-instance requests. */
  readonly index: number;
  /** A number for regression, a class label for classification. */
  readonly label: number | string;
}

const example = '{"request_id": "<x-request-id of the prediction>", "label": <true value>}';

/** Validates a feedback body for a model of `task`; throws HttpError 400/413 naming what to fix. */
export function parseFeedback(body: unknown, task: Task, maxItems: number): FeedbackItem[] {
  const list = Array.isArray(body) ? body : isPlainObject(body) && Array.isArray(body.feedback) ? body.feedback : [body];
  if (list.length === 0) throw new HttpError(400, `the feedback list is empty: send at least one item like ${example}`);
  checkBatchSize(list.length, maxItems);
  return list.map((item: unknown, i) => parseItem(item, task, list.length > 1 || Array.isArray(body) ? `feedback[${i}]` : 'the feedback'));
}

function parseItem(item: unknown, task: Task, where: string): FeedbackItem {
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
  return { requestId, index: index as number, label: parseLabel(label, task, where) };
}

function parseLabel(label: unknown, task: Task, where: string): number | string {
  if (task === 'regression') {
    if (typeof label === 'number' && Number.isFinite(label)) return label;
    throw new HttpError(400, `${where}: "label" must be the true value as a number (the model is a regression), got ${describeValue(label)}`);
  }
  if (typeof label === 'string' && label !== '') return label;
  if (typeof label === 'number' || typeof label === 'boolean') return String(label);
  throw new HttpError(400, `${where}: "label" must be the true class (a string) of the instance, got ${describeValue(label)}`);
}
