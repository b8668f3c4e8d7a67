// Validates every Kubernetes object in the given YAML files against the Kubernetes API schema
// (kubernetes-models, an ESM package: hence this helper, run by deploy.test.ts in its own node).
// Prints one JSON array: {file, kind, name, error?} per object. Kustomization files are skipped.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const results = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const object = doc.toJS();
    if (!object || object.kind === 'Kustomization') continue;
    const entry = { file, kind: object.kind, name: object.metadata?.name };
    let models;
    try {
      models = await import(`kubernetes-models/${object.apiVersion}`);
    } catch {
      results.push({ ...entry, error: `unknown apiVersion ${JSON.stringify(object.apiVersion)}` });
      continue;
    }
    const Model = models[object.kind];
    if (!Model) {
      results.push({ ...entry, error: `unknown kind ${JSON.stringify(object.kind)} in ${object.apiVersion}` });
      continue;
    }
    try {
      new Model(object).validate();
      results.push(entry);
    } catch (err) {
      results.push({ ...entry, error: err.message });
    }
  }
}
console.log(JSON.stringify(results));
