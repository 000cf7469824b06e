/** One step into a message: an object's key or an array's index. */
export type PathStep = string | number;

/** The path of the message itself, when it is what is wrong (not an object, say). */
export const ROOT_PATH = '(root)';

/**
 * The field `step` of the value at `parent` ('' for the message itself). Every producer of
 * `issues[].path` spells it this way, valibot's way (`items.0.name`), so an app can highlight
 * the field from `path.split('.')` whichever check refused it.
 */
export function fieldPath(parent: string, step: PathStep): string {
  return parent ? `${parent}.${step}` : `${step}`;
}

/** The path of a field given by its steps: `['items', 0, 'name']` is `items.0.name`. */
export function issuePath(steps: readonly PathStep[]): string {
  return steps.join('.') || ROOT_PATH;
}

/**
 * `path` (of a value) once that value sits at `parent`: the order at `orders.1` and its
 * `items.0.name` are `orders.1.items.0.name`. For a server that checks orders inside a body
 * of its own and answers with issues named within that body.
 */
export function pathWithin(parent: string, path: string): string {
  return path === ROOT_PATH ? parent : fieldPath(parent, path);
}
