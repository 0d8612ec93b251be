#!/usr/bin/env node
// The hub has no build step: load TypeScript through tsx, then run the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
