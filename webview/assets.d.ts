// Side-effect CSS imports, bundled by esbuild into dist/webview/main.css.
declare module '*.css';
