// Model strings an attacker controls, as the hostile corpus's html cases carry them.
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  attr: '"><img src=x onerror=alert(1)>',
  onload: "'><svg onload=alert(1)>",
  js: 'javascript:alert(document.cookie)',
  pipes: 'a|b`code`*em*[link](http://x)![img](y)',
  rtl: 'gpj.\u202Eexe.evil',
  isolates: 'x\u2066y\u2069z\u200Bw\uFEFF',
  nul: 'w\u0000hidden',
  controls: 'bell\u0007esc\u001b[31mred\u009b1mcsi\r\nnext',
  astral: '😀'.repeat(50),
  long: 'L'.repeat(1 << 20),
} as const;

/** Substrings that must never come out of an HTML / Markdown report unescaped. */
export const ACTIVE_MARKUP = ['<script', 'onerror=', 'onload=', 'javascript:', '<img'];

/** Control, bidi-override, isolate, zero-width and separator characters (raw). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/u;
