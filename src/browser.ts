// gradlab in browsers (`import * as gl from 'gradlab'` under a bundler's browser condition, or 'gradlab/browser'):
// the portable API, whose module graph imports nothing from Node. Not here: the native backend, file
// reading and writing (loadSafetensors, read*/load* datasets), gl.train and gl.recipes.
export * from './portable.js';
