#!/usr/bin/env node
// Entry point of the `lakecast` command: runs the compiled CLI (built by `npm install` through `prepare`).
import '../dist/cli/main.js';
