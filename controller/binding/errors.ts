import { HeadwaterError } from '../../lib/errors.js';

/** A pod template already carries another owner's binding: two bindings on one subject would fight over K_SINK. */
export class BindingConflictError extends HeadwaterError {
  constructor(wantedBy: string, heldBy: string) {
    super(
      'BindingConflict',
      `the pod template is already bound by ${heldBy}; delete that binding or narrow one subject so each workload has a single binding (wanted by ${wantedBy})`,
      { wantedBy, heldBy },
    );
  }
}

/** The marker annotation is not what apply() wrote (edited by hand?): undo cannot know what to remove. */
export class BindingMarkerError extends HeadwaterError {
  constructor(annotation: string, problem: string) {
    super('BindingMarkerInvalid', `annotation ${annotation}: ${problem}; remove the annotation and the K_SINK env by hand`, {
      annotation,
    });
  }
}
