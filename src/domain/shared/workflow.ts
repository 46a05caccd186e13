/**
 * A process spanning several streams, as a pure function (after emmett's workflows). `decide`
 * says, from an input (what the last step came to) and the state folded from the inputs before
 * it, which step comes next; `evolve` folds the input in. The application only runs the steps
 * and feeds back their outcomes, so the process is specified with given/when/then like a decider.
 */
export interface Workflow<I, S, O> {
  readonly initialState: S;
  decide(input: I, state: S): O;
  evolve(state: S, input: I): S;
}
