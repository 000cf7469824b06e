// Placeholder until the demo lands: lists what the workspace holds.
console.log('kitchen-sync workspace: packages/protocol, packages/relay, packages/client');
