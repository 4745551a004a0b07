/**
 * `attachContagion(params)`: creates and starts the contagion responder for a started node and ties
 * its lifecycle to the node's: the node's `stop()` stops the responder first (pending webhook
 * deliveries stay in the outbox, in-flight protective actions settle), then the node.
 *
 *   const responder = await attachContagion({ node, config, baseDir, dataDir, logger, registry });
 */
import {
  type ContagionResponder,
  type CreateContagionResponderParameters,
  createContagionResponder,
} from './createContagionResponder.js';

export type AttachContagionParameters = CreateContagionResponderParameters & {
  readonly node: CreateContagionResponderParameters['node'] & { stop(): Promise<void> };
};

export async function attachContagion(p: AttachContagionParameters): Promise<ContagionResponder> {
  const responder = await createContagionResponder(p);
  await responder.start();
  const node = p.node;
  const stopNode = node.stop.bind(node);
  node.stop = async () => {
    await responder.stop();
    await stopNode();
  };
  return responder;
}
