/**
 * Type shims for the WAM packages. @webaudiomodules/api and /sdk ship .d.ts files whose relative imports have
 * no extension ('./types'), which TypeScript's NodeNext resolution cannot follow: their entry points type as
 * empty. These ambient declarations re-export the packages' own type files by their full paths. Types only:
 * at run time the bundler resolves the packages normally.
 */
declare module '@webaudiomodules/api' {
  export * from '@webaudiomodules/api/src/types.js';
}

declare module '@webaudiomodules/sdk' {
  export * from '@webaudiomodules/sdk/src/types.js';
  export { default as addFunctionModule } from '@webaudiomodules/sdk/src/addFunctionModule.js';
  export { default as initializeWamHost } from '@webaudiomodules/sdk/src/initializeWamHost.js';
}
