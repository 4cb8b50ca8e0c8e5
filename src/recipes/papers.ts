// The single list of papers REPRODUCTIONS.md has a row for: the 46 papers of ../shared/papers/titles.txt
// (numbered as there) and the base methods FF, DRTP and gradient checkpointing, each with its own row.

/** Ids of the 46 numbered papers, '01'..'46'. */
// prettier-ignore
export const PAPER_NUMBERS = [
  '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35', '36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46',
] as const;

/** Ids of the base methods that several papers build on. */
export const BASE_METHODS = ['ff', 'drtp', 'checkpointing'] as const;

/** A numbered paper's id, '01'..'46'. */
type NumberedId = (typeof PAPER_NUMBERS)[number];
/** A base method's id. */
type BaseId = (typeof BASE_METHODS)[number];

/** A row of REPRODUCTIONS.md. */
export type PaperId = NumberedId | BaseId;

/** One paper: its number (null for base methods), title, and authors/year where the notes give them. */
export interface Paper {
  /** Its id. */
  id: PaperId;
  /** Its number in titles.txt, null for base methods. */
  number: number | null;
  /** `02` for numbered papers, the method's name for base methods. */
  label: string;
  /** Its title. */
  title: string;
  /** Authors and year, where the notes give them. */
  authors?: string;
}

/** Titles as in titles.txt (authors and years are not listed there). Typed: every number needs a title. */
const TITLES: Record<NumberedId, string> = {
  '01': 'AdjointDPM: Adjoint Sensitivity Method for Gradient Backpropagation of Diffusion Probabilistic Models',
  '02': 'Mesa: A Memory-saving Training Framework for Transformers',
  '03': 'Forward Learning of Graph Neural Networks',
  '04': 'Video Adverse-Weather-Component Suppression Network via Weather Messenger and Adversarial Backpropagation',
  '05': 'Aligning Text-to-Image Diffusion Models with Reward Backpropagation',
  '06': 'LST: Ladder Side-Tuning for Parameter and Memory Efficient Transfer Learning',
  '07': 'Domain-Adversarial Training of Neural Networks',
  '08': 'Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep Neural Networks for Reinforcement Learning',
  '09': 'Sequential Training of Neural Networks with Gradient Boosting',
  '10': 'Learning with Local Gradients at the Edge',
  '11': 'Exploration of Interpretability Techniques for Deep COVID-19 Classification using Chest X-ray Images',
  '12': 'On filter design in deep convolutional neural network',
  '13': 'PowerNorm: Rethinking Batch Normalization in Transformers',
  '14': 'Neural Circuit Diagrams: Robust Diagrams for the Communication, Implementation, and Analysis of Deep Learning Architectures',
  '15': 'Wide and Deep Neural Networks Achieve Optimality for Classification',
  '16': 'Efficient Global Optimization of Two-layer ReLU Networks: Quadratic-time Algorithms and Adversarial Training',
  '17': 'TrAct: Making First-layer Pre-Activations Trainable',
  '18': 'Backpropagation-free Training of Deep Physical Neural Networks',
  '19': 'Benign Overfitting and Grokking in ReLU Networks for XOR Cluster Data',
  '20': 'Adding Gradient Noise Improves Learning for Very Deep Networks',
  '21': 'Scaling Supervised Local Learning with Augmented Auxiliary Networks',
  '22': 'On Expressivity and Trainability of Quadratic Networks',
  '23': 'A Deep Conjugate Direction Method for Iteratively Solving Linear Systems',
  '24': 'Scaling physics-informed hard constraints with mixture-of-experts',
  '25': 'Do Input Gradients Highlight Discriminative Features?',
  '26': 'There and Back Again: Revisiting Backpropagation Saliency Methods',
  '27': 'On the Generalization Mystery in Deep Learning',
  '28': 'A Boundary Tilting Persepective on the Phenomenon of Adversarial Examples',
  '29': 'Self-Knowledge Distillation with Progressive Refinement of Targets',
  '30': 'Outliers with Opposing Signals Have an Outsized Effect on Neural Network Optimization',
  '31': 'N2N Learning: Network to Network Compression via Policy Gradient Reinforcement Learning',
  '32': 'Towards Memory- and Time-Efficient Backpropagation for Training Spiking Neural Networks',
  '33': 'Learning Hierarchical Polynomials with Three-Layer Neural Networks',
  '34': 'Gradient Boosting Reinforcement Learning',
  '35': 'ODICE: Revealing the Mystery of Distribution Correction Estimation via Orthogonal-gradient Update',
  '36': 'Dataset Condensation with Contrastive Signals',
  '37': 'When, Why and How Much? Adaptive Learning Rate Scheduling by Refinement',
  '38': 'Opening the Black Box of Deep Neural Networks via Information',
  '39': 'Evaluating Deep Graph Neural Networks',
  '40': "Let's Make Block Coordinate Descent Converge Faster: Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence",
  '41': 'Scalable Neural Network Kernels',
  '42': 'From Logistic Regression to the Perceptron Algorithm: Exploring Gradient Descent with Large Step Sizes',
  '43': 'Neural Network-Based Score Estimation in Diffusion Models: Optimization and Generalization',
  '44': 'Learning Rates as a Function of Batch Size: A Random Matrix Theory Approach to Neural Network Training',
  '45': 'Train longer, generalize better: closing the generalization gap in large batch training of neural networks',
  '46': 'Evaluating Adversarial Robustness: A Comparison Of FGSM, Carlini-Wagner Attacks, And The Role of Distillation as Defense Mechanism',
};

const BASE: Record<BaseId, Omit<Paper, 'id' | 'number'>> = {
  ff: {
    label: 'FF',
    title: 'The Forward-Forward Algorithm: Some Preliminary Investigations',
    authors: 'Hinton, 2022',
  },
  drtp: {
    label: 'DRTP',
    title:
      'Learning without Feedback: Fixed Random Learning Signals Allow for Feedforward Training of Deep Neural Networks',
    authors: 'Frenkel, Lefebvre, Bol, 2021',
  },
  checkpointing: {
    label: 'Gradient checkpointing',
    title: 'Training Deep Nets with Sublinear Memory Cost',
    authors: 'Chen, Xu, Zhang, Guestrin, 2016',
  },
};

/** Every row, numbered papers first (01..46), then the base methods. */
export const PAPERS: readonly Paper[] = [
  ...PAPER_NUMBERS.map((id, i) => ({ id, number: i + 1, label: id, title: TITLES[id] })),
  ...BASE_METHODS.map((id) => ({ id, number: null, ...BASE[id] })),
];

/**
 * The paper with this id.
 * @example gl.recipes.paperOf('ff').title; // the forward-forward paper's title
 */
export function paperOf(id: PaperId): Paper {
  return PAPERS.find((p) => p.id === id)!;
}

/**
 * `02. Mesa: A Memory-saving ...` / `Gradient checkpointing. Training Deep Nets ... (Chen, ... 2016)`.
 * @example gl.recipes.paperLabel(gl.recipes.paperOf('02')); // '02. Mesa: A Memory-saving Training Framework for Transformers'
 */
export function paperLabel(p: Paper): string {
  return `${p.label}. ${p.title}${p.authors ? ` (${p.authors})` : ''}`;
}
