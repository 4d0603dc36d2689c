// Validates an AsyncAPI document; exit 1 on any error-level diagnostic.
import { Parser } from '@asyncapi/parser';
import fs from 'node:fs';

const { document, diagnostics } = await new Parser().parse(fs.readFileSync(process.argv[2], 'utf8'));
for (const d of diagnostics) console.log(d.severity, d.code, d.message, d.path.join('.'));
process.exit(diagnostics.some((d) => d.severity === 0) || !document ? 1 : 0);
