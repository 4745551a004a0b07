import type { RotateKeyRequest, SubmitResponse } from '@sfr/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging/index.js';
import { publishProblem } from './createApi.js';
import { parseBody } from './parseBody.js';

/** What the key routes need from the node: a rotation to the key in a file on its host. */
export interface KeyApi {
  rotate(request: RotateKeyRequest): Promise<SubmitResponse>;
}

/** Handlers of `KEY_ROUTES`, by operation id. */
export function createKeyHandlers(p: {
  readonly keys: KeyApi;
  readonly bodyLimit: number;
  readonly logger?: Logger;
}): Record<string, (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>> {
  return {
    rotateKey: async (req, reply) => {
      const request = parseBody<RotateKeyRequest>(req, 'RotateKeyRequest', p.bodyLimit);
      let published: SubmitResponse;
      try {
        published = await p.keys.rotate(request);
      } catch (error) {
        throw publishProblem(error, p.logger);
      }
      p.logger?.info({ messageId: published.messageId, seq: published.seq }, 'member key rotated');
      return reply.code(201).send(published);
    },
  };
}
