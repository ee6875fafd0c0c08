// Templates are imported as text (esbuild loader `.html: text`).
declare module '*.html' {
  const template: string;
  export default template;
}
