import { expect } from 'chai';
import { fold, type Decider, type DomainEvent } from '../../src/domain/shared/decider.js';
import { isRefusal, type Refusal } from '../../src/domain/shared/decision.js';
import type { Workflow } from '../../src/domain/shared/workflow.js';

/**
 * Given-when-then for pure deciders:
 *
 *   scenario(decider).given(events).when(command).then(expectedEvents)
 *   scenario(decider).given(events).when(command).thenRefused('code')
 *
 * `given` folds the events with `evolve` from `initialState`; `when` runs `decide` on the result;
 * the outcome is compared with deep equality. `then` returns a new `Given` holding the given
 * events followed by the emitted ones, so a chained `.when(...)` decides on the state rebuilt
 * by replaying everything from scratch, exactly as the command handler would after a reload.
 */
export class Given<C, S, E extends DomainEvent> {
  constructor(
    private readonly decider: Decider<C, S, E>,
    readonly events: readonly E[],
  ) {}

  /** The state obtained by folding the given events with `evolve`. */
  state(): S {
    return fold(this.decider.evolve, this.decider.initialState, this.events);
  }

  when(command: C): When<C, S, E> {
    return new When(this.decider, this.events, command);
  }
}

export class When<C, S, E extends DomainEvent> {
  constructor(
    private readonly decider: Decider<C, S, E>,
    private readonly given: readonly E[],
    private readonly command: C,
  ) {}

  decision(): readonly E[] | Refusal {
    return this.decider.decide(this.command, fold(this.decider.evolve, this.decider.initialState, this.given));
  }

  /** Asserts the decision emitted exactly `expected`; continues with given + emitted events. */
  then(expected: readonly E[]): Given<C, S, E> {
    const outcome = this.decision();
    if (isRefusal(outcome)) {
      expect.fail(`expected events ${JSON.stringify(expected)} but the command was refused: ${outcome.code} (${outcome.msg})`);
    }
    expect(outcome).to.deep.equal(expected);
    return new Given(this.decider, [...this.given, ...outcome]);
  }

  /** Asserts the decision is accepted with no events (an idempotent no-op). */
  thenNothing(): Given<C, S, E> {
    return this.then([]);
  }

  /** Asserts the decision is a refusal with `code` (and a human-readable message). */
  thenRefused(code: string): Refusal {
    const outcome = this.decision();
    if (!isRefusal(outcome)) {
      expect.fail(`expected refusal "${code}" but got events ${JSON.stringify(outcome)}`);
    }
    expect(outcome.code).to.equal(code);
    expect(outcome.msg).to.be.a('string').and.have.length.above(0);
    return outcome;
  }
}

export const scenario = <C, S, E extends DomainEvent>(decider: Decider<C, S, E>) => ({
  given: (events: readonly E[] = []): Given<C, S, E> => new Given(decider, events),
});

/**
 * Given-when-then for pure workflows:
 *
 *   workflowScenario(workflow).given(inputs).when(input).then(expectedStep)
 *
 * `given` folds what happened so far with `evolve` from `initialState`; `when` decides the next
 * step on one more input; the step is compared with deep equality. `then` returns a new
 * `GivenInputs` holding the input too, so a chain walks a run one step at a time.
 */
export class GivenInputs<I, S, O> {
  constructor(
    private readonly workflow: Workflow<I, S, O>,
    readonly inputs: readonly I[],
  ) {}

  when(input: I): WhenInput<I, S, O> {
    return new WhenInput(this.workflow, this.inputs, input);
  }
}

export class WhenInput<I, S, O> {
  constructor(
    private readonly workflow: Workflow<I, S, O>,
    private readonly given: readonly I[],
    private readonly input: I,
  ) {}

  step(): O {
    return this.workflow.decide(this.input, fold(this.workflow.evolve, this.workflow.initialState, this.given));
  }

  /** Asserts the next step is exactly `expected`; continues with the input added to what happened. */
  then(expected: O): GivenInputs<I, S, O> {
    expect(this.step()).to.deep.equal(expected);
    return new GivenInputs(this.workflow, [...this.given, this.input]);
  }
}

export const workflowScenario = <I, S, O>(workflow: Workflow<I, S, O>) => ({
  given: (inputs: readonly I[] = []): GivenInputs<I, S, O> => new GivenInputs(workflow, inputs),
});

/** A fixed origin for scenario clocks: `at(s)` is the instant `s` seconds later, as an ISO string. */
export const T0 = '2025-07-28T09:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();
