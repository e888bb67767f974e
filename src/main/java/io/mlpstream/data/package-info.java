/**
 * Datasets and preprocessing, as torchvision holds them: the IDX (MNIST file format) reader and the
 * bundled sample, and MNIST-style preprocessing of PNG images. JDK only.
 */
package io.mlpstream.data;
