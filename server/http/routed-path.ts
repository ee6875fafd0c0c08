// Express routes without regard to case and ignores a trailing slash: any decision about a path
// outside the router (CSRF exemptions, which bodies may be form-encoded) compares this form.
export const routedPath = (path: string) => path.toLowerCase().replace(/\/+$/, '') || '/';
