import lightning as L

# odd separators:          end
X = ' '


class Model(L.LightningModule):
    def __init__(self, hidden):
        self.hidden = hidden  #   
        super().__init__()
        self.automatic_optimization = False
        self.layer = None

    def training_step(self, batch, batch_idx):
        self.manual_backward(batch.sum())
