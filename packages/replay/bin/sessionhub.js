#!/usr/bin/env node
// The `sessionhub` command. A committed file (not dist/cli.js itself), so that installing the
// workspace before its first build links the command without a warning.
import "../dist/cli.js";
