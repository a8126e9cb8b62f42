/**
 * The human approval gate of trainingPipeline: `approve`/`reject` signals, the validated
 * `decide` update, and an optional timeout with a spec-chosen outcome. The first decision wins.
 */
import { condition, log, setHandler } from '@temporalio/workflow';
import type { PipelineSpec } from '../src/spec/schema.js';
import { approveSignal, decideUpdate, rejectSignal, type ApprovalOutcome, type DecideInput } from './messages.js';

export interface ApprovalGate {
  /** Waits for a decision (or the timeout); `blessed` matters only for `approve-if-blessed`. */
  wait(approval: PipelineSpec['approval'], blessed: boolean): Promise<ApprovalOutcome>;
  /** Records an automatic approval (approval.mode auto). */
  autoApprove(): ApprovalOutcome;
}

/** Installs the handlers; call before the first await so early signals are not lost. */
export function installApprovalGate(isWaiting: () => boolean): ApprovalGate {
  let outcome: ApprovalOutcome | undefined;
  const now = () => new Date().toISOString(); // the deterministic workflow clock

  setHandler(approveSignal, (body) => {
    const reviewer = reviewerOf(body);
    if (!reviewer) return log.warn('ignored approve signal without a reviewer; send {"reviewer":"name"}');
    outcome ??= { decision: 'approved', reviewer, comment: body.comment, at: now() };
  });
  setHandler(rejectSignal, (body) => {
    const reviewer = reviewerOf(body);
    if (!reviewer) return log.warn('ignored reject signal without a reviewer; send {"reviewer":"name","reason":"…"}');
    outcome ??= { decision: 'rejected', reviewer, reason: String(body.reason ?? ''), at: now() };
  });
  setHandler(
    decideUpdate,
    (input) => {
      outcome ??=
        input.decision === 'approve'
          ? { decision: 'approved', reviewer: input.reviewer.trim(), comment: input.comment, at: now() }
          : { decision: 'rejected', reviewer: input.reviewer.trim(), reason: input.reason, at: now() };
      return outcome;
    },
    { validator: (input: DecideInput) => validateDecision(input, isWaiting(), outcome) },
  );

  return {
    async wait(approval, blessed) {
      const decided = approval.timeout === undefined ? (await condition(() => outcome !== undefined), true) : await condition(() => outcome !== undefined, approval.timeout);
      if (!decided) {
        const approve = approval.onTimeout === 'approve-if-blessed' && blessed;
        outcome = approve
          ? { decision: 'auto-approved', reviewer: 'timeout', comment: `no decision within ${approval.timeout}; approved because evaluation blessed it`, at: now() }
          : { decision: 'rejected', reviewer: 'timeout', reason: `no decision within ${approval.timeout}`, at: now() };
      }
      return outcome as ApprovalOutcome;
    },
    autoApprove() {
      outcome = { decision: 'auto-approved', reviewer: 'auto', comment: 'approval.mode is auto', at: now() };
      return outcome;
    },
  };
}

function reviewerOf(body: { reviewer?: unknown } | undefined): string {
  return typeof body?.reviewer === 'string' ? body.reviewer.trim() : '';
}

function validateDecision(input: DecideInput, waiting: boolean, decided: ApprovalOutcome | undefined): void {
  if (input?.decision !== 'approve' && input?.decision !== 'reject') throw new Error('decision must be "approve" or "reject"');
  if (!reviewerOf(input)) throw new Error('reviewer must be a non-empty name: who decides is recorded in the registry');
  if (input.decision === 'reject' && !input.reason?.trim()) throw new Error('a rejection needs a reason');
  if (decided) throw new Error(`already decided: ${decided.decision} by ${decided.reviewer}`);
  if (!waiting) throw new Error('this pipeline is not awaiting approval; query "status" to see its stage');
}
