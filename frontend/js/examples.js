// Example places, one per staged dataset, so that a newcomer sees every layer at work in one click.
export const EXAMPLES = [];
