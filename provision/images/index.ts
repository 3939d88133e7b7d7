import { grader } from './grader.ts';
import type { ImageRecipe } from './image-recipe.ts';
import { SIZED_IMAGES } from './sized.ts';
import { tiny } from './tiny.ts';

/** Every image the matrix can name; a new one is one recipe file plus one line here. */
export const IMAGES: Readonly<Record<string, ImageRecipe>> = { tiny, grader, ...SIZED_IMAGES };

export type { BuiltImage, ImageRecipe } from './image-recipe.ts';
