// Registers the recipes shipped with gradlab.
import './checkpoint.js';
import './mesa.js';
import './lst.js';
import './sltt.js';
