import lightning as L


class M(L.LightningModule):
	def __init__(self):
		super().__init__(
			# no arguments
		)
		self.x = 'café'

	def training_step(self, b, i):
		self.manual_backward(b)
