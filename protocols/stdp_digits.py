"""Unsupervised STDP digit learning (Diehl & Cook 2015, Front. Comput. Neurosci. 9:99).

The embedded default (no --set): scikit-learn digits upsampled to 28x28, 100 excitatory neurons,
3 epochs over the 1347 training images (one epoch is too little for this network: 24% test
accuracy after one, 74% after three (seed 0)), classes assigned on one frozen pass over the 1347 images,
450 test images; cpp_standalone, about 1.5-3 min on one core including the compile (~20 s of CPU after it).

    workbench run stdp-digits --out run.nc
    workbench run stdp-digits --set dataset=fashion-mnist --set n_exc=400 --set n_train=60000 \
        --set n_test=10000 --set epochs=1 --out fmnist.nc
    workbench run stdp-digits ... --out run.nc --resume run.nc      # continue from the last checkpoint
    workbench figure stdp-receptive-fields run.nc
    workbench figure stdp-confusion run.nc
    workbench figure stdp-accuracy run.nc

Note: epochs defaults to 3 here (the library protocol's default is 1); pass --set epochs=1 for
one pass over n_train images.
"""
from workbench.experiments.stdp_digits import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults(epochs=3)
