/**
 * The frame of `GET /setup` every language shares: `{{lang}}` and `{{title}}` are filled with
 * escaped text, `{{{languageSwitch}}}` and `{{{body}}}` with markup the relay built itself.
 */
export const SETUP_SHELL = `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#111}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}
code{background:#f2f2f2;padding:0 .25rem;border-radius:3px;word-break:break-all}
.qr{width:14rem;height:14rem}.button{display:inline-block;padding:.5rem 1rem;background:#0b5;color:#fff;border-radius:6px;text-decoration:none}
.note{background:#fff6d5;padding:.5rem .75rem;border-radius:6px}
.lang{text-align:right;margin:0}
li{margin:.25rem 0}
</style>
</head>
<body>
{{{languageSwitch}}}
{{{body}}}
</body>
</html>
`;
