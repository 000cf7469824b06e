import * as v from 'valibot';
import { ROLES } from '../constants.js';
import { ClientIdSchema, IdSchema } from './primitives.js';

/** JWT claims of a relay token. Loose: issuers add `iat`, `iss`, `jti` and the like. */
export const TokenClaimsSchema = v.looseObject({
  sub: ClientIdSchema,
  role: v.picklist(ROLES),
  outlet: IdSchema,
  tenants: v.optional(v.pipe(v.array(IdSchema), v.maxLength(1000))),
  exp: v.optional(v.number()),
});
export type TokenClaims = v.InferOutput<typeof TokenClaimsSchema>;
