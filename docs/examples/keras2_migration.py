"""Ten layers written for Keras 2 (tf.keras before TensorFlow 2.16), where a tf.Variable on a layer
was tracked. Under Keras 3 most of them silently stop training; `keras-varlint --fix` migrates them
(README, "Fixes")."""

import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = tf.Variable(1.0, name="scale")

    def call(self, inputs):
        return inputs * self.scale


class Bias(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.bias = tf.Variable(tf.zeros([input_shape[-1]]), trainable=True, name="bias")

    def call(self, inputs):
        return inputs + self.bias


class Experts(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.experts = []
        for i in range(3):
            self.experts.append(tf.Variable(tf.ones([input_shape[-1]]), name=f"expert_{i}"))

    def call(self, inputs):
        return tf.add_n([inputs * e for e in self.experts])


class Gates(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.gates = {"in": tf.Variable(initial_value=0.5), "out": tf.Variable(initial_value=2.0)}

    def call(self, inputs):
        return inputs * self.gates["in"] * self.gates["out"]


class Linear(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4), name="w")
        self.b = self.add_weight(shape=(4,), initializer="zeros", name="b")
        self.trainable_weights = [self.w, self.b]

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


class Temperature(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.temperature = self.add_weight(shape=(), initializer="ones", name="temperature")

    def call(self, logits):
        return logits / float(self.temperature)


class Offset(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="offset")

    def call(self, inputs):
        return inputs + np.tanh(self.offset)


class Decay(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        self.gain = self.gain * 0.99
        return inputs * self.gain


class NonNegative(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.alpha = tf.Variable(tf.ones([input_shape[-1]]), constraint=tf.keras.constraints.NonNeg())

    def call(self, inputs):
        return inputs * self.alpha


class Dense2(tf.keras.layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = tf.Variable(tf.random.normal([input_shape[-1], self.units], stddev=0.05), name="kernel")

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)
