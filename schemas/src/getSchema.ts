import { readSchemaDocuments } from './schemaFiles.js';
import { commonSchemaId, schemaIdOf } from './schemaKinds.js';
import { isSchemaKind } from './validate.js';

let documents: Map<string, unknown> | undefined;

function getDocuments(): Map<string, unknown> {
  if (documents === undefined) {
    documents = new Map();
    for (const { document } of readSchemaDocuments()) {
      const id = (document as { $id?: unknown }).$id;
      if (typeof id === 'string') documents.set(id, document);
    }
  }
  return documents;
}

/**
 * The JSON Schema document of `kind` (or `'common'` for the shared definitions), as a fresh deep copy
 * the caller may modify (e.g. to build an OpenAPI document). Undefined for an unknown kind.
 */
export function getSchema(kind: string): Record<string, unknown> | undefined {
  const id = kind === 'common' ? commonSchemaId : isSchemaKind(kind) ? schemaIdOf(kind) : undefined;
  const doc = id === undefined ? undefined : getDocuments().get(id);
  return doc === undefined ? undefined : (structuredClone(doc) as Record<string, unknown>);
}
