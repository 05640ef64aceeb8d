#!/usr/bin/env node
// The msal-ts command. A committed shim, so the bin exists before the first build.
import { runCli } from '../dist/cli/main.js'

runCli(process.argv.slice(2))
