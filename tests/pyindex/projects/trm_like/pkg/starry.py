from pkg.exports import *
